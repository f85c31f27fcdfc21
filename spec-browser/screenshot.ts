// `npm run screenshot`: docs/sample-app.png, the sample web app as the README shows it: alice signed in on two
// devices, a few things in her cart. The same harness as the browser test (spec-browser/browser.ts).
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { clickAndWait, FIREFOX_ON_MAC, load, openDevice, signIn, startHarness } from './browser';

const OUT = join(__dirname, '../../docs/sample-app.png'); // from build/spec-browser/

async function main(): Promise<void> {
  const harness = await startHarness();
  try {
    const phone = await openDevice(harness, FIREFOX_ON_MAC);
    await signIn(phone.page, 'alice');
    const laptop = await openDevice(harness);
    await signIn(laptop.page, 'alice');
    for (const sku of ['apple', 'apple', 'pear', 'cherries']) {
      await clickAndWait(laptop.page, `button[data-add="${sku}"]`);
    }
    await load(laptop.page); // "your devices" as a page load shows it
    mkdirSync(dirname(OUT), { recursive: true });
    await laptop.page.screenshot({ path: OUT as `${string}.png`, fullPage: true });
    console.log(`Wrote ${OUT}`);
  } finally {
    await harness.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
