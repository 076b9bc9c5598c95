// UTF-8 one code point at a time: what name folding (case_fold.h) and the C
// API's wchar_t strings both need, so both agree on what is valid text.
#pragma once

#include <cstddef>
#include <string>

namespace dismake {

// U+FFFD, what decode_utf8 gives for a byte that starts no valid sequence.
constexpr char32_t kReplacementCharacter = 0xFFFD;

// True for a Unicode scalar value (not a surrogate, not past U+10FFFF).
bool is_scalar_value(char32_t c);

// Decodes the sequence at text[i] and advances i past it; an invalid,
// truncated or overlong sequence gives U+FFFD and consumes one byte.
char32_t decode_utf8(const std::string& text, std::size_t& i);

// Appends `c` (a scalar value) encoded as UTF-8.
void append_utf8(std::string& out, char32_t c);

}  // namespace dismake
