import { IsOptional, IsString, Matches } from 'class-validator';
import { Cart } from '../cart/cart';

/**
 * A log-in name: 1 to 40 letters, digits, spaces, dots, dashes or underscores, starting with a letter or digit.
 * Any name is accepted without a password: this is a sample.
 */
export const USER_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,39}$/u;

/** The web app's session: the cart of the JSON API, and who is signed in (none before log-in). */
export class Shopper extends Cart {
  @IsOptional() @IsString() @Matches(USER_NAME) name?: string;
}

/** What the page may put in its cart: the server sets the prices, the page only names a product. */
export const CATALOGUE: readonly { readonly sku: string; readonly name: string; readonly price: number }[] = [
  { sku: 'apple', name: 'Apple', price: 150 },
  { sku: 'pear', name: 'Pear', price: 90 },
  { sku: 'banana', name: 'Banana', price: 60 },
  { sku: 'cherries', name: 'Cherries (250 g)', price: 420 },
];
