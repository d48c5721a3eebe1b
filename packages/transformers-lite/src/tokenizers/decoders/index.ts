import { fail, type JsonObject, readArray, readString, stageType } from '../config.ts';
import {
  BPEDecoder,
  ByteFallbackDecoder,
  ByteLevelDecoder,
  type Decoder,
  DecoderSequence,
  FuseDecoder,
  MetaspaceDecoder,
  ReplaceDecoder,
  StripDecoder,
  WordPieceDecoder,
} from './decoders.ts';

export {
  BPEDecoder,
  ByteFallbackDecoder,
  ByteLevelDecoder,
  cleanUpTokenization,
  type Decoder,
  DecoderSequence,
  decodeTokens,
  FuseDecoder,
  MetaspaceDecoder,
  ReplaceDecoder,
  StripDecoder,
  WordPieceDecoder,
} from './decoders.ts';

/** Builds a decoder from its tokenizer.json entry. */
export function createDecoder(cfg: unknown): Decoder {
  const type = stageType(cfg, 'decoder');
  const c = cfg as JsonObject;
  switch (type) {
    case 'WordPiece':
      return WordPieceDecoder.fromJSON(c);
    case 'ByteLevel':
      return ByteLevelDecoder.fromJSON(c);
    case 'Metaspace':
      return MetaspaceDecoder.fromJSON(c);
    case 'BPEDecoder':
      return new BPEDecoder(readString(c, 'suffix', 'BPEDecoder', '</w>'));
    case 'ByteFallback':
      return new ByteFallbackDecoder();
    case 'Fuse':
      return new FuseDecoder();
    case 'Strip':
      return StripDecoder.fromJSON(c);
    case 'Replace':
      return ReplaceDecoder.fromJSON(c);
    case 'Sequence':
      return new DecoderSequence(readArray(c, 'decoders', 'decoder Sequence').map(createDecoder));
    default:
      fail('tokenizer.json', `Unknown decoder type: ${type}`);
  }
}
