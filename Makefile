# The two commands of the README. Both set everything up first (scripts/setup.sh).
SHELL := /bin/bash
VENV := .venv/bin

.PHONY: setup demo test sample-scans s3-dev

setup:
	@bash scripts/setup.sh

demo: setup
	@$(VENV)/sohoa registry import sample_scans/registry.csv
	@$(VENV)/sohoa run sample_scans/batch

test: setup
	@$(VENV)/python -m pytest -q

sample-scans: setup
	@$(VENV)/python -m synth.sample sample_scans

# A local S3 server (SeaweedFS, 127.0.0.1:8333) to try the S3 archive; Ctrl-C stops it.
s3-dev: setup
	@$(VENV)/python -m sohoa.archive_commands s3-dev
