# usher - `make` builds build/usher: C11, musl, fully static, stripped.
# `make check` runs every test; `make demo` shows the whole flow in real containers.
# See docs/HACKING.md for the layout and each target.

PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build
DEPS ?= $(BUILD)/deps

MUSL_CC ?= musl-gcc
HOST_CC ?= gcc

WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wformat-security -Wstrict-prototypes \
	-Wmissing-prototypes -Wold-style-definition -Wswitch-enum -Wundef -Wpointer-arith \
	-Wcast-align -Wwrite-strings -Wvla -Wnull-dereference -Wimplicit-fallthrough \
	-Wstrict-overflow=2 -Wduplicated-cond -Wlogical-op
# Hardening that means something for a static binary: stack protector and clash
# protection, CET markers, full RELRO, no executable stack. (No PIE: `file` must say
# "statically linked"; _FORTIFY_SOURCE is a no-op with musl's headers.)
HARDEN := -fstack-protector-strong -fstack-clash-protection -fcf-protection=full \
	-fno-strict-aliasing -fno-delete-null-pointer-checks
LDHARDEN := -Wl,-z,relro,-z,now -Wl,-z,noexecstack -Wl,--gc-sections
STD := -std=c11 -D_GNU_SOURCE
OPT := -Os -ffunction-sections -fdata-sections -g

GEN := $(BUILD)/gen
CPPFLAGS := -Iinclude -I$(GEN) -isystem $(DEPS)/include -isystem $(DEPS)/kinclude
CFLAGS := $(STD) $(OPT) $(WARN) $(HARDEN)
LIBS := $(DEPS)/lib/libseccomp.a $(DEPS)/lib/libcap-ng.a

SRC := $(wildcard src/*.c)
OBJ := $(SRC:src/%.c=$(BUILD)/obj/%.o)
DEPLIBS := $(DEPS)/lib/libseccomp.a $(DEPS)/lib/libcap-ng.a

.PHONY: all check unit integration graders valgrind demo bench fuzz fuzz-smoke lint install clean distclean bootstrap
.DELETE_ON_ERROR:
# Keep the host objects: they are intermediates of the unit tests, not throwaways.
.SECONDARY:

all: $(BUILD)/usher

# Third-party libraries: built from Debian's source packages, never committed.
$(DEPLIBS) &:
	scripts/build-deps $(DEPS)

$(BUILD)/obj/%.o: src/%.c $(DEPLIBS) | $(BUILD)/obj
	$(MUSL_CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

# The default seccomp profile, compiled at build time by the code that would compile it
# at run time (tools/gen-seccomp.c, docs/performance.md says why).
GEN_OBJ := $(filter-out $(BUILD)/obj/main.o $(BUILD)/obj/lockdown_seccomp_prebuilt.o,$(OBJ))
$(BUILD)/gen-seccomp: tools/gen-seccomp.c $(GEN_OBJ) $(DEPLIBS)
	$(MUSL_CC) $(CPPFLAGS) $(CFLAGS) -static -o $@ $< $(GEN_OBJ) $(LIBS)
$(GEN)/seccomp_prebuilt.inc: $(BUILD)/gen-seccomp
	@mkdir -p $(@D)
	$(BUILD)/gen-seccomp >$@.tmp && mv $@.tmp $@
$(BUILD)/obj/lockdown_seccomp_prebuilt.o $(BUILD)/host/lockdown_seccomp_prebuilt.o $(BUILD)/vg/obj/lockdown_seccomp_prebuilt.o \
	$(BUILD)/fuzz/obj/lockdown_seccomp_prebuilt.o: $(GEN)/seccomp_prebuilt.inc

$(BUILD)/usher.debug: $(OBJ) $(DEPLIBS)
	$(MUSL_CC) -static $(CFLAGS) $(LDHARDEN) -o $@ $(OBJ) $(LIBS)

$(BUILD)/usher: $(BUILD)/usher.debug
	strip --strip-all -o $@ $<

$(BUILD)/obj $(BUILD)/host $(BUILD)/unit:
	mkdir -p $@

-include $(OBJ:.o=.d)

# --- unit tests: host gcc + glibc, ASan/UBSan, cmocka, the fake syscall seam ---------
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
HOST_CFLAGS := $(STD) -O1 -g $(WARN) $(SAN) -Iinclude -I$(GEN) -Itests/fakes
LIB_SRC := $(filter-out src/main.c src/sys.c,$(SRC))
HOST_OBJ := $(LIB_SRC:src/%.c=$(BUILD)/host/%.o) $(BUILD)/host/sys_fake.o
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%)

$(BUILD)/host/%.o: src/%.c | $(BUILD)/host
	$(HOST_CC) $(HOST_CFLAGS) -MMD -MP -c -o $@ $<
$(BUILD)/host/sys_fake.o: tests/fakes/sys_fake.c | $(BUILD)/host
	$(HOST_CC) $(HOST_CFLAGS) -MMD -MP -c -o $@ $<
$(BUILD)/unit/%: tests/unit/%.c $(HOST_OBJ) | $(BUILD)/unit
	$(HOST_CC) $(HOST_CFLAGS) -o $@ $< $(filter-out $< $(HOST_OBJ),$^) $(HOST_OBJ) -lcmocka -lseccomp
# main() itself, renamed, for tests/unit/test_main.c: the whole pipeline over the fake seam.
$(BUILD)/host/main_as_usher_main.o: src/main.c | $(BUILD)/host
	$(HOST_CC) $(HOST_CFLAGS) -Dmain=usher_main -Wno-missing-prototypes -MMD -MP -c -o $@ $<
$(BUILD)/unit/test_main: $(BUILD)/host/main_as_usher_main.o
-include $(BUILD)/host/main_as_usher_main.d

-include $(HOST_OBJ:.o=.d)

# bootstrap-unit, not bootstrap-test: the unit tests need no Docker, valgrind or debootstrap.
unit: bootstrap-unit $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

# --- integration: the real static binary, on the host and in Docker ------------------
$(BUILD)/probe: $(wildcard tests/attacks/*.c tests/attacks/*.h) tests/attacks/build.sh
	tests/attacks/build.sh $(BUILD)

integration: bootstrap-test $(BUILD)/usher $(BUILD)/probe $(BUILD)/usher-faults
	tests/run-integration

# --- graders: the compatibility suite, real graders in real containers under usher's
# defaults (tests/graders/run; its Debian images are cached by their package lists) ---
graders: bootstrap-test $(BUILD)/usher
	USHER=$(abspath $(BUILD)/usher) tests/graders/run

# --- valgrind: the same sources with glibc (memcheck can only see a dynamic binary's
# malloc), under the host integration tests: tests/run-valgrind --------------------
VG_OBJ := $(SRC:src/%.c=$(BUILD)/vg/obj/%.o)
$(BUILD)/vg/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(HOST_CC) $(STD) -O1 -g $(WARN) -Iinclude -I$(GEN) -MMD -MP -c -o $@ $<
$(BUILD)/vg/usher: $(VG_OBJ)
	$(HOST_CC) -o $@ $(VG_OBJ) -lseccomp -lcap-ng
-include $(VG_OBJ:.o=.d)

valgrind: bootstrap-test $(BUILD)/vg/usher $(BUILD)/probe
	tests/run-valgrind

# --- fault injection: the same binary with every seam call able to fail on demand ----
$(BUILD)/faults/sys_faults.c: include/sys.h tests/faults/gen.py
	@mkdir -p $(@D)
	/usr/bin/python3 tests/faults/gen.py include/sys.h >$@
$(BUILD)/usher-faults: $(BUILD)/faults/sys_faults.c $(filter-out $(BUILD)/obj/sys.o,$(OBJ)) $(DEPLIBS)
	$(MUSL_CC) $(CPPFLAGS) -Isrc $(CFLAGS) -Wno-missing-prototypes -static $(LDHARDEN) -o $@ $^

# --- fuzzing: libFuzzer (clang) with ASan+UBSan over every parser of untrusted bytes ----
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_FLAGS := $(STD) -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -Iinclude -I$(GEN) -Itests/fakes
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_OBJ := $(LIB_SRC:src/%.c=$(BUILD)/fuzz/obj/%.o) $(BUILD)/fuzz/obj/sys_fake.o

$(BUILD)/fuzz/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<
$(BUILD)/fuzz/obj/sys_fake.o: tests/fakes/sys_fake.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<
$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJ)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJ) -lseccomp

# Each target runs FUZZ_SECONDS from its committed seeds (tests/fuzz/corpus/<target>);
# what it finds goes to build/fuzz/corpus-<target>, crashes to build/fuzz/crashes/.
fuzz: bootstrap-fuzz $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)
	@mkdir -p $(BUILD)/fuzz/crashes
	@set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(BUILD)/fuzz/corpus-$$t; \
		echo "== $$t ($(FUZZ_SECONDS) s)"; \
		$(BUILD)/fuzz/$$t $(BUILD)/fuzz/corpus-$$t tests/fuzz/corpus/$${t#fuzz_} \
			-max_total_time=$(FUZZ_SECONDS) -artifact_prefix=$(BUILD)/fuzz/crashes/$$t- \
			-print_final_stats=1 2>$(BUILD)/fuzz/$$t.log || { tail -n 40 $(BUILD)/fuzz/$$t.log; exit 1; }; \
		grep -E 'stat::number_of_executed_units' $(BUILD)/fuzz/$$t.log; \
	done
fuzz-smoke:
	$(MAKE) fuzz FUZZ_SECONDS=10

# --- static analysis: cppcheck, clang-tidy (.clang-tidy), gcc -fanalyzer -------------
lint: bootstrap-lint $(GEN)/seccomp_prebuilt.inc
	cppcheck --quiet --enable=warning,style,performance,portability --std=c11 -D_GNU_SOURCE \
		-Iinclude -I$(GEN) -Itests/fakes --error-exitcode=1 src/ tools/ tests/fakes tests/unit tests/fuzz
	clang-tidy --quiet src/*.c tools/*.c -- $(STD) -Iinclude -I$(GEN)
	@set -e; for f in src/*.c tools/*.c; do gcc $(STD) -Iinclude -I$(GEN) -fanalyzer -Werror -O1 -c $$f -o /dev/null; done
	@echo "lint: cppcheck, clang-tidy and gcc -fanalyzer are clean"

check: all unit lint fuzz-smoke integration

demo: bootstrap-test $(BUILD)/usher $(BUILD)/probe
	scripts/demo

bench: bootstrap-bench $(BUILD)/usher $(BUILD)/probe
	bench/run
	@echo "bench: copy the tables into docs/performance.md when they change"

bootstrap-%:
	@scripts/bootstrap $*

install: $(BUILD)/usher
	install -D -m 0755 $(BUILD)/usher $(DESTDIR)$(PREFIX)/bin/usher
	install -D -m 0644 docs/usher.1 $(DESTDIR)$(PREFIX)/share/man/man1/usher.1

clean:
	rm -rf $(BUILD)/obj $(BUILD)/host $(BUILD)/unit $(BUILD)/fuzz $(BUILD)/vg $(BUILD)/gen $(BUILD)/gen-seccomp \
		$(BUILD)/usher $(BUILD)/usher.debug \
		$(BUILD)/probe

# clean, and the third-party libraries built from source too.
distclean:
	rm -rf $(BUILD)
