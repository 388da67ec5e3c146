# Two commands do all set-up: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q

# System packages the test tiers need (Debian/Ubuntu names).
TEST_APT := libportaudio2 xvfb trayer pulseaudio pulseaudio-utils espeak-ng sox \
            xdotool imagemagick strace gnome-keyring dbus-x11 xterm iproute2 xclip \
            libxcb-cursor0 libegl1 libgl1 libxkbcommon-x11-0 libxcb-icccm4 \
            libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 \
            libxcb-image0 libxcb-render-util0 libdbus-1-3 fontconfig fonts-dejavu-core \
            sway wtype wl-clipboard
RUN_APT  := libportaudio2 libxcb-cursor0 libegl1 libgl1 libxkbcommon-x11-0 \
            libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 \
            libxcb-randr0 libxcb-image0 libxcb-render-util0 libdbus-1-3

.PHONY: run test test-fast test-package bench package lint clean venv deps-run deps-test intent-model

$(VENV)/.installed-run: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -e '.[model]'
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed-run pyproject.toml
	$(PIP) install -e '.[model,test,dev]'
	touch $@

# apt only when root and something is missing; never fails a desktop user's run.
deps-run:
	@sh packaging/apt-deps.sh $(RUN_APT)
deps-test:
	@sh packaging/apt-deps.sh $(TEST_APT)

venv: $(VENV)/.installed-run

# Starts the tray with the bundled model. Without a display it starts Xvfb
# and a tray host so the app can be looked at with `import -window root`.
run: deps-run $(VENV)/.installed-run
	@sh packaging/run-dev.sh $(PY)

# The whole suite, headless. As root (CI) it runs with no network at all.
test: deps-test $(VENV)/.installed-test
	@sh tests/run-suite.sh $(PY) --durations=30 $(PYTEST_ARGS)

test-package: deps-test $(VENV)/.installed-test
	@sh tests/run-suite.sh $(PY) -m package tests/package $(PYTEST_ARGS)

test-fast: $(VENV)/.installed-test
	$(PY) -m pytest -m "unit" -q $(PYTEST_ARGS)

bench: deps-test $(VENV)/.installed-test
	$(PY) -m tests.bench $(BENCH_ARGS)

# Rebuilds the assistant's intent model from resources/intents/data (see its README).
intent-model: $(VENV)/.installed-test
	$(PY) -m tools.train_intent_model

package: deps-test $(VENV)/.installed-test
	sh packaging/linux/build.sh $(PY)

lint: $(VENV)/.installed-test
	$(PY) -m ruff check trayassist tests
	$(PY) -m mypy

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
