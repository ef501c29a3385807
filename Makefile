# mixq build. `make` builds every binary into build/bin/; see README.md for the rest.
#
# Sources are found by wildcard: a new .c file in a module directory is built without
# touching this file. Each module directory becomes one static library; binaries link
# the libraries they need.

BUILD    ?= build
CC       ?= cc
MODE     ?= release
SHARED   ?= ../shared

# Debian packages the analyser needs (pkg-config names).
PKGS     := sndfile fftw3f samplerate libebur128 jansson openblas hdf5-serial \
            libzmq libprotobuf-c hiredis libpq libmicrohttpd libcurl libxxhash taglib_c
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN     := -Wall -Wextra -Werror -Wno-unused-parameter
CFLAGS_COMMON := -std=c17 -D_GNU_SOURCE $(WARN) -g -I. -I$(BUILD)/gen $(PKG_CFLAGS) -MMD -MP
SAN      := -fsanitize=address,undefined
ifeq ($(MODE),test)
  OPT    := -O1 -fno-omit-frame-pointer $(SAN) -fno-sanitize-recover=undefined
  LDFLAGS += $(SAN)
else
  OPT    := -O2 -march=x86-64-v2
endif
CFLAGS   += $(CFLAGS_COMMON) $(OPT)
LDLIBS   += $(PKG_LIBS) -lfftw3f_threads -lpthread -lm

OBJ      := $(BUILD)/obj
BIN      := $(BUILD)/bin

ANALYSIS_SRC := $(wildcard analysis/*.c analysis/nn/*.c)
COMMON_SRC   := $(wildcard common/*.c)
DAEMONS      := broker worker ingest recommender
daemon_src    = $(wildcard $(1)/*.c)

# The wire protocol, compiled by protoc-c into $(BUILD)/gen/proto/.
PROTO_C      := $(BUILD)/gen/proto/mixq.pb-c.c
PROTO_H      := $(BUILD)/gen/proto/mixq.pb-c.h
# The SQL migrations, embedded in the binaries as C strings.
MIGRATIONS   := $(sort $(wildcard db/*.sql))
MIGRATIONS_C := $(BUILD)/gen/db/migrations.c
CLI_SRC      := $(wildcard cli/*.c)
GEN_SRC      := $(wildcard tests/gen/*.c)
BENCH_SRC    := $(wildcard tests/bench/*.c)
UNIT_SRC     := $(wildcard tests/unit/test_*.c)

objs = $(patsubst %.c,$(OBJ)/%.o,$(1))

LIB_ANALYSIS := $(BUILD)/lib/libmixq_analysis.a
LIB_COMMON   := $(BUILD)/lib/libmixq_common.a

BINS := $(BIN)/mixq $(if $(GEN_SRC),$(BIN)/mixq-gen) $(if $(BENCH_SRC),$(BIN)/mixq-bench) \
        $(foreach d,$(DAEMONS),$(if $(call daemon_src,$(d)),$(BIN)/mixq-$(d)))

.PHONY: all test unit run stop bench deps fuzz format clean
all: $(BINS)

$(OBJ)/%.o: %.c | $(PROTO_H)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(PROTO_C) $(PROTO_H) &: proto/mixq.proto
	@mkdir -p $(BUILD)/gen
	protoc-c --c_out=$(BUILD)/gen $<

$(MIGRATIONS_C): $(MIGRATIONS) mk/embed-sql
	@mkdir -p $(dir $@)
	bash mk/embed-sql $(MIGRATIONS) > $@

$(OBJ)/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB_ANALYSIS): $(call objs,$(ANALYSIS_SRC))
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^
$(LIB_COMMON): $(call objs,$(COMMON_SRC)) $(OBJ)/gen/proto/mixq.pb-c.o $(OBJ)/gen/db/migrations.o
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(BIN)/mixq: $(call objs,$(CLI_SRC)) $(LIB_COMMON) $(LIB_ANALYSIS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)
$(BIN)/mixq-gen: $(call objs,$(GEN_SRC)) $(LIB_COMMON)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)
$(BIN)/mixq-bench: $(call objs,$(BENCH_SRC)) $(LIB_COMMON) $(LIB_ANALYSIS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

# Daemons: every .c file of broker/ makes build/bin/mixq-broker, and so on.
define daemon_rule
$(BIN)/mixq-$(1): $(call objs,$(call daemon_src,$(1))) $(LIB_COMMON) $(LIB_ANALYSIS)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) $$^ -o $$@ $$(LDLIBS)
endef
$(foreach d,$(DAEMONS),$(eval $(call daemon_rule,$(d))))

# Unit tests: one Criterion binary per tests/unit/test_*.c.
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
$(BUILD)/tests/%: $(OBJ)/tests/unit/%.o $(LIB_COMMON) $(LIB_ANALYSIS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS) -lcriterion
unit: $(UNIT_BINS)

# `make test`: a sanitizer build in build-test/, then every unit and integration test.
test:
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory MODE=test BUILD=build-test all unit
	@MIXQ_BUILD=build-test MIXQ_SHARED=$(SHARED) bash tests/run

run:
	@bash mk/deps
	@$(MAKE) --no-print-directory all
	@bash deploy/local/run

stop:
	@bash deploy/local/stop

bench: all
	@MIXQ_SHARED=$(SHARED) bash tests/bench/run

deps:
	@bash mk/deps

fuzz:
	@bash tests/fuzz/run

format:
	clang-format -i $(wildcard */*.c */*.h */*/*.c */*/*.h)

clean:
	rm -rf build build-test build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
