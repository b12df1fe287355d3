# replaceable.awk: from the parts of the install script (src/sql/*.sql),
# the statements an upgrade script can run again on an installed extension:
# every CREATE FUNCTION (written CREATE OR REPLACE FUNCTION), COMMENT ON,
# GRANT and REVOKE, and the statements whose comment says "Upgrades run
# this again" (idempotent DO blocks: roles, domains), in the order of the
# install.  Tables, views, triggers, policies and other DO blocks are left
# out: how an installed one changes is the hand-written part of each
# upgrade (docs/upgrades.md).
#
# The input is split into statements by a small lexer that knows SQL's
# quotes ('...', "...", $tag$...$tag$) and comments (--, /* */), so a
# semicolon in a function body never ends a statement.  Each statement
# kept is printed with the comment lines that precede it.
#
#   awk -f scripts/replaceable.awk src/sql/30_register.sql ...

function flush(    head, marked) {
  head = stmt
  marked = 0
  # The statement's first words, without leading comments and blanks.
  while (1) {
    sub(/^[ \t\r\n]+/, "", head)
    if (head ~ /^-- Upgrades run this again/) marked = 1
    if (head ~ /^--/) { sub(/^--[^\n]*/, "", head); continue }
    if (head ~ /^\/\*/) { sub(/^\/\*([^*]|\*+[^*\/])*\*+\//, "", head); continue }
    break
  }
  head = toupper(substr(head, 1, 40))
  if (head ~ /^CREATE[ \t\n]+FUNCTION[ \t\n]/) {
    sub(/CREATE[ \t\n]+FUNCTION/, "CREATE OR REPLACE FUNCTION", stmt)
    print stmt
  } else if (marked || head ~ /^(CREATE[ \t\n]+OR[ \t\n]+REPLACE[ \t\n]+FUNCTION|COMMENT[ \t\n]+ON|GRANT|REVOKE)[ \t\n]/) {
    print stmt
  }
  stmt = ""
}

FNR == 1 && NR > 1 { if (stmt ~ /[^ \t\r\n]/) flush(); stmt = "" }

{
  line = $0
  out = ""
  while (length(line) > 0) {
    if (state == "dollar") {
      i = index(line, tag)
      if (i == 0) { out = out line; line = ""; break }
      out = out substr(line, 1, i + length(tag) - 1); line = substr(line, i + length(tag)); state = ""
    } else if (state == "squote" || state == "dquote") {
      q = (state == "squote") ? "'" : "\""
      i = index(line, q)
      if (i == 0) { out = out line; line = ""; break }
      # A doubled quote is an escaped one: stay inside.
      if (substr(line, i + 1, 1) == q) { out = out substr(line, 1, i + 1); line = substr(line, i + 2); continue }
      out = out substr(line, 1, i); line = substr(line, i + 1); state = ""
    } else if (state == "bcomment") {
      i = index(line, "*/")
      if (i == 0) { out = out line; line = ""; break }
      out = out substr(line, 1, i + 1); line = substr(line, i + 2); state = ""
    } else {
      # Outside quotes: find the next character that matters.
      if (match(line, /--|\/\*|'|"|\$[A-Za-z_]*\$|;/) == 0) { out = out line; line = ""; break }
      tok = substr(line, RSTART, RLENGTH)
      out = out substr(line, 1, RSTART + RLENGTH - 1); line = substr(line, RSTART + RLENGTH)
      if (tok == "--") { out = out line; line = ""; break }
      else if (tok == "/*") state = "bcomment"
      else if (tok == "'") state = "squote"
      else if (tok == "\"") state = "dquote"
      else if (tok == ";") { stmt = stmt out; out = ""; flush() }
      else { state = "dollar"; tag = tok }
    }
  }
  stmt = stmt out "\n"
}

END { if (stmt ~ /[^ \t\r\n]/) flush() }
