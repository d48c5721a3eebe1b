import { afterEach, describe, expect, it, vi } from 'vitest';
import { LumenWarningError, setWarningHandler, simpleFilter, warn } from '../src/index.ts';

/** The one warning channel: a category per warning, one handler, Python's simplefilter actions. */
describe('warnings', () => {
  afterEach(() => {
    setWarningHandler(null);
    simpleFilter('always');
  });

  it('goes to console.warn by default (the message as it is), or to the handler set, with its category', () => {
    const spy = vi.spyOn(console, 'warn').mockImplementation(() => {});
    warn('ConvergenceWarning', 'fit: did not converge');
    expect(spy).toHaveBeenCalledWith('fit: did not converge');
    spy.mockRestore();
    const got: [string, string][] = [];
    const previous = setWarningHandler((m, c) => got.push([m, c!]));
    warn('UserWarning', 'a');
    warn('UserWarning', 'a');
    expect(got).toEqual([
      ['a', 'UserWarning'],
      ['a', 'UserWarning'],
    ]); // 'always' by default: repeated warnings are repeated, as transformers' logger
    expect(setWarningHandler(previous)).not.toBe(previous);
  });

  it("simpleFilter: 'once' per message and category, 'ignore', 'error', per category or for all", () => {
    const got: string[] = [];
    setWarningHandler((m, c) => got.push(`${c}:${m}`));
    simpleFilter('once');
    warn('UserWarning', 'x');
    warn('UserWarning', 'x');
    warn('RuntimeWarning', 'x');
    warn('UserWarning', 'y');
    expect(got).toEqual(['UserWarning:x', 'RuntimeWarning:x', 'UserWarning:y']);
    simpleFilter('error', 'ConvergenceWarning');
    expect(() => warn('ConvergenceWarning', 'stopped early')).toThrow(LumenWarningError);
    expect(() => warn('ConvergenceWarning', 'stopped early')).toThrow('ConvergenceWarning: stopped early');
    simpleFilter('ignore', 'UserWarning');
    warn('UserWarning', 'z');
    warn('DeprecationWarning', 'old'); // the 'once' set for all still applies to the others
    warn('DeprecationWarning', 'old');
    expect(got).toEqual(['UserWarning:x', 'RuntimeWarning:x', 'UserWarning:y', 'DeprecationWarning:old']);
    simpleFilter('always'); // clears every category's own action
    warn('UserWarning', 'z');
    expect(got.at(-1)).toBe('UserWarning:z');
  });

  it('rejects a bad handler, action or category by name', () => {
    expect(() => setWarningHandler(3 as never)).toThrow(
      'setWarningHandler: handler must be a function or null, got number 3',
    );
    expect(() => simpleFilter('default' as never)).toThrow(
      `simpleFilter: action must be 'always', 'once', 'ignore' or 'error', got "default"`,
    );
    expect(() => simpleFilter('ignore', 'FutureWarning' as never)).toThrow(
      /category must be one of UserWarning, /,
    );
  });
});
