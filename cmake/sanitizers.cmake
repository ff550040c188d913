# Sanitizer and fuzzing builds (scripts/sanitize.sh, scripts/fuzz.sh). The flags apply to every C++
# target of the build directory, so that the library, the tests and the fuzz targets agree: an
# instrumented library is only ever linked into instrumented programs.
#   NABLA_SANITIZE=address,undefined  ASan and UBSan; the first report ends the program
#   NABLA_SANITIZE=thread             ThreadSanitizer
#   NABLA_FUZZ=ON                     the libFuzzer targets of tests/fuzz (Clang only)
set(NABLA_SANITIZE "" CACHE STRING
    "Sanitizers to build with: empty (none), address,undefined (or one of them), or thread")
set_property(CACHE NABLA_SANITIZE PROPERTY STRINGS "" "address,undefined" "address" "undefined"
                                                   "thread")
option(NABLA_FUZZ "Build the libFuzzer targets in tests/fuzz (needs Clang)" OFF)

set(nabla_sanitizer_flags)
if(NABLA_SANITIZE MATCHES "^(address|undefined|address,undefined|undefined,address)$")
  # Without recovery a UBSan finding fails the run instead of scrolling past in the log.
  set(nabla_sanitizer_flags -fsanitize=${NABLA_SANITIZE} -fno-sanitize-recover=all)
elseif(NABLA_SANITIZE STREQUAL "thread")
  set(nabla_sanitizer_flags -fsanitize=thread)
elseif(NOT NABLA_SANITIZE STREQUAL "")
  message(FATAL_ERROR "NABLA_SANITIZE must be empty, address,undefined, address, undefined or "
                      "thread (got '${NABLA_SANITIZE}')")
endif()

if(NABLA_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "NABLA_FUZZ=ON needs Clang, whose libFuzzer the fuzz targets link with "
                        "(the compiler is ${CMAKE_CXX_COMPILER_ID}); configure with "
                        "-DCMAKE_CXX_COMPILER=clang++, or turn NABLA_FUZZ off")
  endif()
  if(NABLA_SANITIZE STREQUAL "thread")
    message(FATAL_ERROR "NABLA_FUZZ=ON does not go with NABLA_SANITIZE=thread: fuzz under "
                        "address,undefined")
  endif()
  # Coverage instrumentation everywhere, so libFuzzer sees which branches of the library an input
  # reaches; only the fuzz targets link libFuzzer itself (-fsanitize=fuzzer). Other programs get
  # the instrumentation's callbacks from the sanitizer runtime.
  list(APPEND nabla_sanitizer_flags -fsanitize=fuzzer-no-link)
endif()

if(nabla_sanitizer_flags)
  if(NABLA_WITH_CUDA)
    message(FATAL_ERROR "sanitizer and fuzzing builds are CPU-only: add -DNABLA_CUDA=OFF")
  endif()
  # Frame pointers give the reports whole stacks at little cost.
  list(APPEND nabla_sanitizer_flags -fno-omit-frame-pointer)
  add_compile_options(${nabla_sanitizer_flags})
  add_link_options(${nabla_sanitizer_flags})
  message(STATUS "nabla: sanitizers '${NABLA_SANITIZE}', fuzz targets ${NABLA_FUZZ}")
endif()
