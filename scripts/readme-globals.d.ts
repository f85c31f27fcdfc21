// What README examples use without defining: the reader's own code.
declare class Item {
  sku: string;
  qty: number;
  price: number;
}
declare class Cart {
  items: Item[];
  total(): number;
}
declare class UserSession {
  name?: string;
}
declare function parseItem(event: unknown): Item;
declare function checkPassword(event: unknown): Promise<string>;
declare function savePassword(user: string, event: unknown): Promise<void>;
