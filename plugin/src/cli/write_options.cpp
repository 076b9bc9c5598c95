#include "write_options.h"

namespace dismake::cli {

void add_write_options(CLI::App* cmd, WriteArgs& args, const std::string& default_compression) {
  cmd->add_option("--compress", args.compress,
                  "Compression of the output: none|xpress|lzx|lzms (default: " +
                      default_compression + "; lzms with --solid)");
  cmd->add_flag("--solid", args.solid,
                "Write a solid (ESD-style) archive: LZMS unless --compress says otherwise");
  cmd->add_flag("--check", args.check, "Add an integrity table to the output");
  cmd->add_option("--threads", args.threads, "Compression threads (default: one per core)");
}

std::optional<Compression> requested_compression(const WriteArgs& args) {
  if (args.compress.empty()) return std::nullopt;
  return parse_compression(args.compress);
}

Compression compression_or(const WriteArgs& args, Compression otherwise) {
  return output_compression(requested_compression(args), args.solid, otherwise);
}

WriteOptions write_options(const WriteArgs& args) {
  WriteOptions options;
  options.check_integrity = args.check;
  options.solid = args.solid;
  options.threads = args.threads;
  return options;
}

}  // namespace dismake::cli
