// Small text helpers the parsers share.
#pragma once

#include <string_view>

namespace dismake {

// `text` without leading and trailing white space.
std::string_view trim(std::string_view text);

}  // namespace dismake
