// The options that say how a WIM is written (--compress, --solid, --check,
// --threads), the same for every verb that writes one: commit, unmount
// --commit and assemble.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "dismake/wim/wim_types.h"

namespace dismake::cli {

struct WriteArgs {
  std::string compress;  // "" when --compress was not given
  bool solid = false;
  bool check = false;
  unsigned threads = 0;
};

// Adds the options to `cmd`. `default_compression` says, for the help, what
// the output gets without --compress and --solid ("the source's", "lzx").
void add_write_options(CLI::App* cmd, WriteArgs& args, const std::string& default_compression);

// --compress, or none when it was not given. A solid write without
// --compress is LZMS (output_compression, wim_types.h): the store applies
// that to a commit; a new WIM takes compression_or().
std::optional<Compression> requested_compression(const WriteArgs& args);

// The compression of a new WIM: --compress, else LZMS for --solid, else
// `otherwise`.
Compression compression_or(const WriteArgs& args, Compression otherwise);

WriteOptions write_options(const WriteArgs& args);

}  // namespace dismake::cli
