# ctstream: small Unix filters for Certificate Transparency logs.
# Every cmd/<name>/ directory builds bin/<name>; lib/*.c builds libct.a.
# Objects go under build/<variant>/ so the sanitizer build (SANITIZE=1)
# and the plain one live side by side.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
PKG_CONFIG ?= pkg-config
CFLAGS ?= -O2 -g
WERROR ?= -Werror
SANITIZE ?=
FUZZ_SECONDS ?= 30
CLANG ?= clang

DEPS_CMD ?= scripts/deps

PKGS := libcurl openssl zlib libcjson libidn2
# Asked of pkg-config on first use, not when make starts, so that `make
# run` and `make deps check` install the -dev packages first and then
# build, in one invocation on a fresh machine; a clear error if they are
# still missing.
pkg = $(if $(shell $(PKG_CONFIG) --exists $(PKGS) && echo y),$(shell \
	$(PKG_CONFIG) $(1) $(PKGS)),$(error $(PKG_CONFIG) does not find \
	$(PKGS): run 'make deps' (scripts/deps installs them)))
PKG_CFLAGS = $(eval PKG_CFLAGS := $$(call pkg,--cflags))$(PKG_CFLAGS)
PKG_LIBS = $(eval PKG_LIBS := $$(call pkg,--libs))$(PKG_LIBS)
# With -j, nothing is compiled before a deps goal given with it is done.
DEPS_FIRST := $(filter deps run-deps,$(MAKECMDGOALS))

ifeq ($(SANITIZE),1)
VARIANT := san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
else
VARIANT := rel
SANFLAGS :=
endif

B := build/$(VARIANT)
ALL_CPPFLAGS = -Ilib -D_GNU_SOURCE $(PKG_CFLAGS) $(CPPFLAGS)
ALL_CFLAGS := -std=c11 -Wall -Wextra $(WERROR) -MMD -MP $(SANFLAGS) $(CFLAGS)
ALL_LDFLAGS := $(SANFLAGS) $(LDFLAGS)
ALL_LDLIBS = $(LDLIBS) $(PKG_LIBS) -lm -lpthread

CMDS := $(notdir $(wildcard cmd/*))
LIB_SRC := $(wildcard lib/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o)
LIB := $(B)/libct.a
BINS := $(CMDS:%=$(B)/bin/%)
# Test-only programs: tests/tools/<name>/*.c and bench/tools/<name>/*.c
TOOLS := $(notdir $(patsubst %/,%,$(wildcard tests/tools/*/)))
TOOL_BINS := $(TOOLS:%=$(B)/tools/%)
BTOOLS := $(notdir $(patsubst %/,%,$(wildcard bench/tools/*/)))
BTOOL_BINS := $(BTOOLS:%=$(B)/tools/%)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRC:tests/unit/%.c=$(B)/unit/%)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
MANS := $(wildcard man/*.[1-9])

.DELETE_ON_ERROR:
# Keep objects (they are intermediate to the pattern rules): a rebuild
# compiles only what changed.
.SECONDARY:
.PHONY: all check check-one install uninstall clean bench fuzz lint deps \
	run run-deps demo tools unit fuzzers

all: $(BINS)

tools: $(TOOL_BINS) $(BTOOL_BINS)
unit: $(UNIT_BINS)

Q := $(if $(V),,@)

$(B)/%.o: %.c | $(DEPS_FIRST)
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC $@")
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

.SECONDEXPANSION:
# $$* is the stem: "%" inside the functions would be substituted too.
$(B)/bin/%: $$(addprefix $(B)/,$$(addsuffix .o,$$(basename $$(wildcard cmd/$$*/*.c)))) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

$(B)/tools/%: $$(addprefix $(B)/,$$(addsuffix .o,$$(basename $$(wildcard tests/tools/$$*/*.c bench/tools/$$*/*.c)))) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

# A command's own files under unit test: tests/unit/test_serve_*.c link
# the objects of cmd/ct-serve but main.o (no file there calls main.c).
SERVE_OBJ := $(patsubst %.c,$(B)/%.o,$(filter-out %/main.c,$(wildcard cmd/ct-serve/*.c)))
$(B)/unit/test_serve_%: $(B)/tests/unit/test_serve_%.o $(SERVE_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

$(B)/unit/%: $(B)/tests/unit/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

# Fuzz targets: clang's libFuzzer with ASan+UBSan, build/fuzz/bin/fuzz_*,
# over lib/ compiled once for them. scripts/fuzz runs them; make check
# replays each one's seeds and regression inputs (scripts/run-tests).
FZ := build/fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
FUZZ_CFLAGS := -std=c11 -Wall -Wextra $(WERROR) -MMD -MP -g -O1 $(FUZZ_SAN) \
	-fsanitize=fuzzer-no-link
FUZZ_BINS := $(FUZZ_SRC:tests/fuzz/%.c=$(FZ)/bin/%)

fuzzers: $(FUZZ_BINS)

$(FZ)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CLANG $@")
	$(Q)$(CLANG) $(ALL_CPPFLAGS) $(FUZZ_CFLAGS) -c -o $@ $<

$(FZ)/libct.a: $(LIB_SRC:%.c=$(FZ)/obj/%.o)
	@rm -f $@
	$(AR) rcs $@ $^

$(FZ)/bin/%: $(FZ)/obj/tests/fuzz/%.o $(FZ)/libct.a
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_SAN) -fsanitize=fuzzer $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

# make check: source rules, man lint, then unit and bats tests against the
# plain build and the ASan+UBSan build (which also replays every fuzz
# target's seeds and kept crashes); one summary line at the end.
# make check SANITIZE=1 runs only the sanitizer pass.
ifeq ($(SANITIZE),1)
CHECK_VARIANTS := san
else
CHECK_VARIANTS := rel san
endif

check: | $(DEPS_FIRST)
	@for v in $(CHECK_VARIANTS); do \
	  s=; [ $$v = san ] && s=1; \
	  $(MAKE) --no-print-directory SANITIZE=$$s all tools unit || exit 1; \
	done
	@scripts/run-tests $(CHECK_VARIANTS)

lint:
	scripts/checksrc
	mandoc -Tlint -W warning $(MANS)

bench: all tools
	@bench/run

fuzz:
	@scripts/fuzz $(FUZZ_SECONDS)

deps:
	@$(DEPS_CMD) --tests

run-deps:
	@$(DEPS_CMD)

run: run-deps
	@$(MAKE) --no-print-directory all
	@scripts/ct-stream

demo: all tools
	@scripts/demo

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7
	install -m 0755 $(BINS) $(DESTDIR)$(BINDIR)
	install -m 0755 scripts/ct-stream $(DESTDIR)$(BINDIR)
	for m in $(MANS); do \
	  s=$${m##*.}; install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s; \
	done

uninstall:
	for c in $(CMDS) ct-stream; do rm -f $(DESTDIR)$(BINDIR)/$$c; done
	for m in $(MANS); do \
	  s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m#man/}; \
	done

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
