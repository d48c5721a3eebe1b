/**
 * A base class whose instances are functions: `tok(text)` runs `tok.invoke(text)`, while
 * `tok.encode`, `instanceof` and subclass fields work as on any object. The constructor returns a
 * function whose prototype chain is the class's (and, at the root, Function.prototype, so that
 * `bind`/`apply` exist as TypeScript expects of anything callable).
 */
export class CallableObject {
  constructor() {
    const f = (...args: unknown[]): unknown =>
      (f as unknown as { invoke(...a: unknown[]): unknown }).invoke(...args);
    // Own `length` and `name` of an arrow function would hide members of the same name.
    Reflect.deleteProperty(f, 'length');
    Reflect.deleteProperty(f, 'name');
    Object.setPrototypeOf(f, new.target.prototype);
    // biome-ignore lint/correctness/noConstructorReturn: returning a function is what makes instances callable
    return f as unknown as CallableObject;
  }
}
Object.setPrototypeOf(CallableObject.prototype, Function.prototype);
