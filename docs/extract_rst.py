"""extract_rst.py <module.cmake>... <output.rst>

Writes the reST documentation of CMake modules as CMake's own docs take it:
every block from a "#[=...=[.rst:" line to its closing "#]=...=]" line, in
order, under a title for the manual page. The output is rewritten only when
it changes, so that Sphinx runs again only then."""
import re
import sys

sources, output = sys.argv[1:-1], sys.argv[-1]
text = ["dismake-cmake(7)", "****************", ""]
for source in sources:
    close = None
    for number, line in enumerate(open(source, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        opening = re.fullmatch(r"#\[(=*)\[\.rst:", line)
        if close is None and opening:
            close = "#]" + opening.group(1) + "]"
        elif close is not None and line == close:
            close = None
            text.append("")
        elif close is not None:
            text.append(line)
    if close is not None:
        sys.exit(f"extract_rst.py: {source}: a .rst: block is not closed by {close}")
content = "\n".join(text) + "\n"
try:
    unchanged = open(output, encoding="utf-8").read() == content
except OSError:
    unchanged = False
if not unchanged:
    with open(output, "w", encoding="utf-8") as f:
        f.write(content)
