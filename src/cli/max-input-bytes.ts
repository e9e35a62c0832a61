/**
 * The most the CLI reads from one source: a diff file, standard input, or one answer of git
 * (`git diff`, `cat-file --batch`). Larger input is refused (exit 2), not held in memory: 64 MB of
 * diff is far more than a review reads, and its text stays well under V8's longest string
 * (2^29 − 24 UTF-16 units on 64-bit builds), which a larger cap would not.
 */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** The cap in words, for the messages that refuse larger input. */
export const MAX_INPUT_WORDS = "64 MB";
