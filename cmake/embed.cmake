# embed.cmake - turns INPUT into a C file defining SYMBOL (its bytes, NUL-terminated) and SYMBOL_len.
# The bytes are pulled in by the assembler's .incbin, so files of any size embed instantly.
file(SIZE ${INPUT} len)
file(WRITE ${OUTPUT} "/* Generated from ${INPUT} by cmake/embed.cmake. */\n"
  "#include <stddef.h>\n"
  "__asm__(\".section .rodata\\n\"\n"
  "        \".global ${SYMBOL}\\n\"\n"
  "        \".type ${SYMBOL}, @object\\n\"\n"
  "        \".balign 16\\n\"\n"
  "        \"${SYMBOL}:\\n\"\n"
  "        \".incbin \\\"${INPUT}\\\"\\n\"\n"
  "        \".byte 0\\n\"\n"
  "        \".previous\\n\");\n"
  "extern const unsigned char ${SYMBOL}[];\n"
  "const size_t ${SYMBOL}_len = ${len};\n")
