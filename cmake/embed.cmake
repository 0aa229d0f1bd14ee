# embed.cmake - turns INPUT into a C file defining SYMBOL (its bytes, NUL-terminated) and SYMBOL_len.
# The bytes are pulled in by the assembler's .incbin, so files of any size embed instantly.
# Included (without INPUT) it only defines embed_incbin, for scripts that embed several files.

# Sets OUT to C text that defines SYMBOL as the bytes of INPUT, NUL-terminated.
function(embed_incbin input symbol out)
  string(CONCAT text "__asm__(\".section .rodata\\n\"\n"
    "        \".global ${symbol}\\n\"\n"
    "        \".type ${symbol}, @object\\n\"\n"
    "        \".balign 16\\n\"\n"
    "        \"${symbol}:\\n\"\n"
    "        \".incbin \\\"${input}\\\"\\n\"\n"
    "        \".byte 0\\n\"\n"
    "        \".previous\\n\");\n"
    "extern const unsigned char ${symbol}[];\n")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

if(DEFINED INPUT)
  file(SIZE ${INPUT} len)
  embed_incbin(${INPUT} ${SYMBOL} bytes)
  file(WRITE ${OUTPUT} "/* Generated from ${INPUT} by cmake/embed.cmake. */\n"
    "#include <stddef.h>\n" "${bytes}" "const size_t ${SYMBOL}_len = ${len};\n")
endif()
