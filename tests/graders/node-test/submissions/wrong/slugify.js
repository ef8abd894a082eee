function slugify(text) {
  // keeps accents and runs of separators
  return text.toLowerCase().replace(/[^\p{L}0-9\s-]/gu, "").trim().replace(/\s/g, "-");
}

module.exports = { slugify };
