/**
 * Option bags are checked with @lumen/tensor's shared helper (one for every Lumen package): an
 * unknown key names the valid keys, a snake_case or misspelt key gets "did you mean `maxLength`?".
 */
export { camelCaseOption as camelCase, checkOptions, suggestOption as suggest } from '@lumen/tensor';
