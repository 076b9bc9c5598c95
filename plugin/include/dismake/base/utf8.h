// UTF-8 one code point at a time, and UTF-16LE as Windows stores text: the
// one codec that name folding (case_fold.h), Windows names, the registry's
// strings and the C API's wchar_t strings all use, so all agree on what is
// valid text.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace dismake {

// U+FFFD, what decode_utf8 gives for a byte that starts no valid sequence.
constexpr char32_t kReplacementCharacter = 0xFFFD;

// True for a Unicode scalar value (not a surrogate, not past U+10FFFF).
bool is_scalar_value(char32_t c);

// Decodes the sequence at text[i] and advances i past it; nullopt (i left as
// it was) for an invalid, truncated or overlong sequence, or one that is no
// scalar value.
std::optional<char32_t> decode_utf8_strictly(std::string_view text, std::size_t& i);

// Like decode_utf8_strictly, but what is not valid gives U+FFFD and
// consumes one byte.
char32_t decode_utf8(std::string_view text, std::size_t& i);

// Appends `c` (a scalar value) encoded as UTF-8.
void append_utf8(std::string& out, char32_t c);

// UTF-8 to UTF-16LE (no terminator added); nullopt when `utf8` is not valid
// UTF-8. The registry stores every name and string as UTF-16LE.
std::optional<std::string> utf8_to_utf16le(std::string_view utf8);

// UTF-16LE to UTF-8; nullopt for an odd length or an unpaired surrogate.
std::optional<std::string> utf16le_to_utf8(std::string_view utf16);

}  // namespace dismake
