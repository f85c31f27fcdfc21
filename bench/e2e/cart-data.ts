// The benchmarks' session data: a shop cart as a real one looks (sku, name, brand, quantity, unit price,
// options, image, time added), its class-validator rules, and a seeded generator of varied carts of a given
// JSON size. Both sides of every comparison hydrate and validate these same classes. Imports nothing of
// lambda-sessions, so that the raw side's process never loads the library.
import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

export const CURRENCIES = ['EUR', 'USD', 'GBP'] as const;

export class LineOption {
  @IsString() @Length(1, 32) name = '';
  @IsString() @Length(1, 64) value = '';
}

export class CartLine {
  @IsString() @Matches(/^[A-Z]{2}-\d{5}-[A-Z0-9]{1,4}(-[A-Z0-9]{1,4})?$/) sku = '';
  @IsString() @Length(1, 120) name = '';
  @IsString() @Length(1, 60) brand = '';
  @IsInt() @Min(1) @Max(99) qty = 1;
  /** Unit price in cents. */
  @IsInt() @Min(0) @Max(10_000_000) unitPrice = 0;
  @IsArray() @ValidateNested({ each: true }) @Type(() => LineOption) options: LineOption[] = [];
  @IsUrl({ protocols: ['https'], require_protocol: true }) imageUrl = '';
  @IsISO8601() addedAt = '';
}

export class Cart {
  @IsIn(CURRENCIES) currency: (typeof CURRENCIES)[number] = 'EUR';
  @IsArray() @ValidateNested({ each: true }) @Type(() => CartLine) lines: CartLine[] = [];
  @IsOptional() @IsString() @Length(0, 32) coupon: string | null = null;

  total(): number {
    return this.lines.reduce((sum, line) => sum + line.qty * line.unitPrice, 0);
  }
}

/** The request body of a change: set one line's quantity. Validated by both sides before it is applied. */
export class LineChange {
  @IsString() @Length(1, 40) sku = '';
  @IsInt() @Min(1) @Max(99) qty = 1;
}

/** Applies a change; false when no line has that sku. */
export function applyChange(cart: Cart, change: LineChange): boolean {
  const line = cart.lines.find((l) => l.sku === change.sku);
  if (line) line.qty = change.qty;
  return line !== undefined;
}

/** mulberry32: a small seeded generator, so every run and both sides get the same carts. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ADJECTIVES = `classic slim relaxed organic waterproof lightweight vintage padded recycled heavy-duty
  ribbed brushed quilted stretch tailored cropped oversized insulated breathable seamless washed ergonomic
  compact foldable cordless wireless stainless ceramic bamboo handmade`.split(/\s+/);
const MATERIALS = `merino cotton linen denim leather suede wool cashmere nylon canvas oak walnut steel
  aluminium glass silicone fleece corduroy velvet jersey`.split(/\s+/);
const PRODUCTS = `crew-neck sweater|chino trousers|running shoes|rain jacket|backpack|water bottle|desk lamp|
  coffee grinder|chef's knife|yoga mat|duvet cover|bath towel|sunglasses|wrist watch|phone case|headphones|
  cutting board|french press|hiking socks|beanie|scarf|wallet|tote bag|travel mug|notebook|pillow|blanket|
  espresso cups (set of 4)|frying pan|storage box|plant pot|bike light`
  .split('|')
  .map((p) => p.trim());
const BRANDS = `Northfield|Alder & Co.|Kestrel|Maison Lune|Fjordlight|Brightwater|Oakhaven|Tessellate|
  Juniper Works|Halden|Solberg|Marlow Street|Copperleaf|Nordvik|Ashgrove`
  .split('|')
  .map((b) => b.trim());
const COLOURS =
  `navy|charcoal|forest green|oatmeal|burgundy|sand|black|white|sky blue|rust|olive|slate grey`.split('|');
const SIZES = ['XS', 'S', 'M', 'L', 'XL', 'XXL', '38', '40', '42', '44', '6', '8', '10'];
const EXTRAS = ['gift wrap', 'engraving', 'monogram', 'fit', 'length'];
const EXTRA_VALUES = ['yes', 'slim', 'regular', 'long', 'short', 'A.B.', 'J.K.L.', 'happy birthday Sam!'];

/** One varied cart line from the generator `r`. */
function line(r: () => number, n: number): CartLine {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const letters = () => String.fromCharCode(65 + Math.floor(r() * 26), 65 + Math.floor(r() * 26));
  const digits = String(10_000 + Math.floor(r() * 90_000));
  const colour = pick(COLOURS);
  const size = pick(SIZES);
  const options: LineOption[] = [
    Object.assign(new LineOption(), { name: 'colour', value: colour }),
    Object.assign(new LineOption(), { name: 'size', value: size }),
  ];
  if (r() < 0.3)
    options.push(Object.assign(new LineOption(), { name: pick(EXTRAS), value: pick(EXTRA_VALUES) }));
  const sku = `${letters()}-${digits}-${colour.slice(0, 3).toUpperCase().replace(/\W/g, 'X')}-${size}`;
  const day = 1 + Math.floor(r() * 28);
  return Object.assign(new CartLine(), {
    sku,
    name: `${pick(ADJECTIVES)} ${pick(MATERIALS)} ${pick(PRODUCTS)}`.replace(/^./, (c) => c.toUpperCase()),
    brand: pick(BRANDS),
    qty: n === 0 ? 1 : 1 + Math.floor(r() * (r() < 0.8 ? 3 : 12)),
    unitPrice: Math.round((2 + r() * (r() < 0.9 ? 150 : 1_500)) * 100) - 1,
    options,
    imageUrl: `https://cdn.shop.example/i/${sku.toLowerCase()}/${Math.floor(r() * 0xffffffff).toString(16)}.webp`,
    addedAt: new Date(
      Date.UTC(2026, 10, day, Math.floor(r() * 24), Math.floor(r() * 60), Math.floor(r() * 60)),
    ).toISOString(),
  });
}

/**
 * A cart of `lines` lines, or of as many as bring its JSON to about `bytes` (the first size at or past it).
 * The first line's quantity is 1: a changed invocation sets it to 2 and back.
 */
export function makeCart(size: { lines: number } | { bytes: number }, seed = 13): Cart {
  const r = seeded(seed);
  const cart = Object.assign(new Cart(), { currency: 'EUR', coupon: r() < 0.5 ? 'WINTER10' : null });
  if ('lines' in size) for (let i = 0; i < size.lines; i++) cart.lines.push(line(r, i));
  else {
    // JSON length grows by the line's length plus a comma: count it instead of serialising every time.
    let length = JSON.stringify(cart).length;
    while (length < size.bytes) {
      const next = line(r, cart.lines.length);
      cart.lines.push(next);
      length += JSON.stringify(next).length + (cart.lines.length > 1 ? 1 : 0);
    }
  }
  return cart;
}

/** The cases every end-to-end comparison runs: a 5-line cart and carts of about 1, 10, 100 and 386 KB. */
export const CART_SIZES = {
  'cart, 5 lines': { lines: 5 },
  '1 KB': { bytes: 1_024 },
  '10 KB': { bytes: 10 * 1_024 },
  '100 KB': { bytes: 100 * 1_024 },
  // Near DynamoDB's 400 KB item limit, so that the raw side can still store it as text.
  '386 KB': { bytes: 386 * 1_024 },
} as const;
export type CartSize = keyof typeof CART_SIZES;
