import { afterEach, describe, expect, it, vi } from 'vitest';
import { LumenWarningError, resetWarnings, setWarningHandler, simpleFilter, warn } from '../src/index.ts';

/** The one warning channel: a category per warning, one handler, Python's simplefilter actions. */
describe('warnings', () => {
  afterEach(() => {
    setWarningHandler(null);
    resetWarnings();
  });

  it('goes to console.warn by default (the message as it is), or to the handler set, with its category', () => {
    const spy = vi.spyOn(console, 'warn').mockImplementation(() => {});
    warn('ConvergenceWarning', 'fit: did not converge');
    expect(spy).toHaveBeenCalledWith('fit: did not converge');
    spy.mockRestore();
    const got: [string, string][] = [];
    const previous = setWarningHandler((m, c) => got.push([m, c!]));
    simpleFilter('always');
    warn('UserWarning', 'a');
    warn('UserWarning', 'a');
    expect(got).toEqual([
      ['a', 'UserWarning'],
      ['a', 'UserWarning'],
    ]); // 'always': repeated warnings are repeated
    expect(setWarningHandler(previous)).not.toBe(previous);
  });

  it("'default' is the default, as Python's: each message once per category and place that issues it", () => {
    resetWarnings(); // Python's resetwarnings(): the defaults back, nothing shown yet
    const got: string[] = [];
    setWarningHandler((m, c) => got.push(`${c}:${m}`));
    const fitOnce = (message: string) => warn('ConvergenceWarning', message); // one place
    for (let i = 0; i < 5; i++) fitOnce('lbfgs failed to converge'); // a loop of fits warns once
    fitOnce('lbfgs failed to converge after 7 iterations');
    warn('ConvergenceWarning', 'lbfgs failed to converge'); // another place: shown again
    warn('RuntimeWarning', 'lbfgs failed to converge'); // another category: shown
    for (let i = 0; i < 3; i++) warn('RuntimeWarning', 'no worker threads'); // this place: once
    // UserWarning, which carries transformers' logger warnings, repeats them as a logger does
    for (let i = 0; i < 2; i++) warn('UserWarning', 'a logger notice');
    expect(got).toEqual([
      'ConvergenceWarning:lbfgs failed to converge',
      'ConvergenceWarning:lbfgs failed to converge after 7 iterations',
      'ConvergenceWarning:lbfgs failed to converge',
      'RuntimeWarning:lbfgs failed to converge',
      'RuntimeWarning:no worker threads',
      'UserWarning:a logger notice',
      'UserWarning:a logger notice',
    ]);
    simpleFilter('default', 'ConvergenceWarning'); // setting an action forgets what was shown
    fitOnce('lbfgs failed to converge');
    expect(got).toHaveLength(8);
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
    expect(() => simpleFilter('module' as never)).toThrow(
      `simpleFilter: action must be 'default', 'always', 'once', 'ignore' or 'error', got "module"`,
    );
    expect(() => simpleFilter('ignore', 'FutureWarning' as never)).toThrow(
      /category must be one of UserWarning, /,
    );
  });
});
