import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

/** One line of the cart. Its constraints guard both the request body and the stored session. */
export class Item {
  @IsString() @Length(1, 64) @Matches(/^[A-Za-z0-9_-]+$/) sku = '';
  @IsInt() @Min(1) @Max(99) qty = 1;
  /** Unit price in cents. */
  @IsInt() @Min(0) @Max(1_000_000) price = 0;

  subtotal(): number {
    return this.qty * this.price;
  }
}

/** The session: a real class, so methods work on what was stored. */
export class Cart {
  @IsArray() @ArrayMaxSize(50) @ValidateNested({ each: true }) @Type(() => Item) items: Item[] = [];

  add(item: Item): void {
    const line = this.items.find((i) => i.sku === item.sku);
    if (line) line.qty += item.qty;
    else this.items.push(item);
  }

  /** Takes the line of `sku` out of the cart; whether there was one. */
  remove(sku: string): boolean {
    const before = this.items.length;
    this.items = this.items.filter((i) => i.sku !== sku);
    return this.items.length < before;
  }

  total(): number {
    return this.items.reduce((sum, item) => sum + item.subtotal(), 0);
  }
}
