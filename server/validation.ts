/**
 * One validator for the whole node: TypeBox schemas compiled once (JIT) and cached by schema object.
 * Used by socket events and, through Fastify's validator compiler, by HTTP routes.
 */
import type { TSchema, Static } from "typebox";
import { Compile, type Validator } from "typebox/compile";
import { ValidationError } from "./errors.ts";

const cache = new WeakMap<object, Validator>();

/** Returns the compiled validator for a schema (compiled on first use). */
export function compiled<T extends TSchema>(schema: T): Validator<{}, T> {
  let v = cache.get(schema);
  if (!v) {
    v = Compile(schema) as unknown as Validator;
    cache.set(schema, v);
  }
  return v as unknown as Validator<{}, T>;
}

/** Describes the first problem of a refused value, for the error message (never echoes the value). */
export function describeFirstError<T extends TSchema>(schema: T, value: unknown): string {
  const first = compiled(schema).Errors(value)[0];
  if (!first) return "invalid payload";
  const at = first.instancePath || "(root)";
  return `${at} ${first.message}`;
}

/** Parses a value at an edge: returns it typed, or throws ValidationError. */
export function parse<T extends TSchema>(schema: T, value: unknown): Static<T> {
  if (compiled(schema).Check(value)) return value as Static<T>;
  throw new ValidationError(describeFirstError(schema, value));
}
