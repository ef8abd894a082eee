const test = require("node:test");
const assert = require("node:assert");
const { slugify } = require("./slugify.js");

test("lowercases and joins words with dashes", () => {
  assert.strictEqual(slugify("Hello World"), "hello-world");
});

test("drops punctuation", () => {
  assert.strictEqual(slugify("What's new, doc?"), "whats-new-doc");
});

test("squeezes and trims separators", () => {
  assert.strictEqual(slugify("  many   spaces -- here  "), "many-spaces-here");
});

test("transliterates accents", () => {
  assert.strictEqual(slugify("Crème brûlée"), "creme-brulee");
});
