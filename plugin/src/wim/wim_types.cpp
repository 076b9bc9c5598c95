#include "dismake/wim/wim_types.h"

#include <algorithm>
#include <cctype>

#include "dismake/base/error.h"

namespace dismake {

Compression parse_compression(const std::string& name) {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "none") return Compression::kNone;
  if (lower == "xpress" || lower == "fast") return Compression::kXpress;
  if (lower == "lzx" || lower == "max") return Compression::kLzx;
  if (lower == "lzms" || lower == "recovery") return Compression::kLzms;
  throw Error(hr::kInvalidArg, "unknown compression '" + name + "'",
              "use none, xpress (fast), lzx (max) or lzms (recovery)");
}

Compression output_compression(std::optional<Compression> requested, bool solid,
                               Compression otherwise) {
  return requested.value_or(solid ? Compression::kLzms : otherwise);
}

const char* compression_name(Compression compression) {
  switch (compression) {
    case Compression::kNone:
      return "None";
    case Compression::kXpress:
      return "XPRESS";
    case Compression::kLzx:
      return "LZX";
    case Compression::kLzms:
      return "LZMS";
  }
  return "None";
}

UpdateCommand UpdateCommand::add(std::string from_disk, std::string to_image) {
  return UpdateCommand{Kind::kAdd, std::move(from_disk), std::move(to_image)};
}

UpdateCommand UpdateCommand::add_ntfs_volume(std::string volume, std::string to_image,
                                             bool with_security) {
  UpdateCommand command = add(std::move(volume), std::move(to_image));
  command.from_ntfs_volume = true;
  command.with_security = with_security;
  return command;
}

UpdateCommand UpdateCommand::remove(std::string image_path) {
  return UpdateCommand{Kind::kDelete, "", std::move(image_path)};
}

UpdateCommand UpdateCommand::rename(std::string from, std::string to) {
  return UpdateCommand{Kind::kRename, std::move(from), std::move(to)};
}

}  // namespace dismake
