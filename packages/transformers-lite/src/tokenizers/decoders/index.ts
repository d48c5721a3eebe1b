import {
  atPath,
  checkDepth,
  failHere,
  type JsonObject,
  readArray,
  readString,
  stageType,
} from '../config.js';
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
} from './decoders.js';

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
} from './decoders.js';

/** Builds a decoder from its tokenizer.json entry at `path` (Sequences nest at most MAX_SEQUENCE_DEPTH deep). */
export function createDecoder(cfg: unknown, path = 'decoder', depth = 0): Decoder {
  return atPath(path, () => buildDecoder(cfg, path, depth));
}

function buildDecoder(cfg: unknown, path: string, depth: number): Decoder {
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
      checkDepth(depth + 1, 'decoder Sequence');
      return new DecoderSequence(
        readArray(c, 'decoders', 'decoder Sequence').map((d, i) =>
          createDecoder(d, `${path}.decoders[${i}]`, depth + 1),
        ),
      );
    default:
      failHere(`Unknown decoder type: ${type}`);
  }
}
