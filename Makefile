# The quick-start commands: `make serve` and `make test` (each installs first); `make sample`.
VENV ?= .venv
PYTHON ?= python3

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

sample: $(VENV)/.installed
	$(VENV)/bin/handouts generate bone-metastasis --clinic riverside --layout booklet-letter

serve: $(VENV)/.installed
	$(VENV)/bin/handouts serve

test: $(VENV)/.installed
	$(VENV)/bin/python -m pytest

.PHONY: install sample serve test
