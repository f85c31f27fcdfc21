import { readmeExample } from '../../samples/session-lambda/readme';

describe("session-lambda's README examples, in the function API", () => {
  it.each([
    [false, ['null', '1', '1', '1', 'null']],
    [true, ['null', '1', '2', '3', 'null']],
  ])('update: %s prints %j', async (update, expected) => {
    const printed: string[] = [];
    await readmeExample(update, (line) => printed.push(line));
    expect(printed).toEqual(expected);
  });
});
