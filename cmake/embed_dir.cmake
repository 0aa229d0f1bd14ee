# embed_dir.cmake - embeds every file under DIR into one C file, OUTPUT: a table TABLE of TYPE
# (declared in HEADER) with one row per file, sorted by path: {"path/relative/to/DIR", bytes
# (NUL-terminated), length, "\"etag\""}, and TABLE_count. The ETag is a quoted prefix of the
# file's SHA-256, so it changes whenever the bytes do.
include(${CMAKE_CURRENT_LIST_DIR}/embed.cmake)

file(GLOB_RECURSE files RELATIVE ${DIR} ${DIR}/*)
list(SORT files)
string(CONCAT text "/* Generated from ${DIR} by cmake/embed_dir.cmake. */\n#include <stddef.h>\n\n"
         "#include \"${HEADER}\"\n\n")
set(rows "")
set(index 0)
foreach(path ${files})
  set(symbol ${TABLE}_${index})
  file(SIZE ${DIR}/${path} len)
  file(SHA256 ${DIR}/${path} hash)
  string(SUBSTRING ${hash} 0 20 etag)
  embed_incbin(${DIR}/${path} ${symbol} bytes)
  string(APPEND text "${bytes}")
  string(APPEND rows "    {\"${path}\", ${symbol}, ${len}, \"\\\"${etag}\\\"\"},\n")
  math(EXPR index "${index} + 1")
endforeach()
string(APPEND text "\nconst ${TYPE} ${TABLE}[] = {\n${rows}};\n"
                   "const size_t ${TABLE}_count = ${index};\n")
file(WRITE ${OUTPUT} "${text}")
