// hashveil_fuzz_seeds DIR: writes the generated seed corpora into DIR/<target>/ (scripts/fuzz).
#include <cstdio>

#include "fuzz/seed_corpus.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  const hashveil::Status status = hashveil::fuzz::WriteSeedCorpus(argv[1]);
  if (!status.ok()) {
    std::fprintf(stderr, "seed corpus: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
