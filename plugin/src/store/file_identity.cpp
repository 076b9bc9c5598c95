#include "dismake/store/file_identity.h"

namespace dismake {

bool is_same_file_moved(const FileIdentity& gone, const FileIdentity& added) {
  return gone.identity == added.identity && gone.mtime_ns == added.mtime_ns &&
         gone.kind == added.kind &&
         (gone.kind != FileIdentity::Kind::kFile || gone.size == added.size) &&
         (gone.content.empty() || added.content.empty() || gone.content == added.content);
}

}  // namespace dismake
