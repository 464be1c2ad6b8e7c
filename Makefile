# The two commands of the README. Both set everything up first (scripts/setup.sh).
SHELL := /bin/bash
VENV := .venv/bin

.PHONY: setup demo test sample-scans

setup:
	@bash scripts/setup.sh

demo: setup
	@$(VENV)/sohoa registry import sample_scans/registry.csv
	@$(VENV)/sohoa run sample_scans/batch

test: setup
	@$(VENV)/python -m pytest -q

sample-scans: setup
	@$(VENV)/python -m synth.sample sample_scans
