// Tables of what the front ends understand, keyed by call (or statement) name, each name with a
// short note on what it becomes in the model. A front end dispatches on its table: a name that is
// not in it is an `unknown` operation. scripts/gen.ts lists the same tables in the docs, so the
// docs say exactly what the code reads.

/** name → what it becomes, one short phrase for the docs. */
export type Understood = Readonly<Record<string, string>>;

/** The name, narrowed to the table's keys, when the table lists it; undefined otherwise. */
export function understood<T extends Understood>(table: T, name: string): (keyof T & string) | undefined {
  return Object.hasOwn(table, name) ? (name as keyof T & string) : undefined;
}

/**
 * The `default` of a switch over understood(): it only compiles when every listed name has a
 * case, so a table entry cannot claim a call that the code does not handle.
 */
export function unlisted(name: never): never {
  throw new Error(`no case for the understood name ${String(name)}`);
}
