// Session classes more than one spec uses.
import { IsInt, IsOptional } from 'class-validator';

/** A counter with a method, to show hydration gives real instances. */
export class Counter {
  @IsOptional() @IsInt() value?: number;
  next(): number {
    return (this.value = (this.value ?? 0) + 1);
  }
}
