"""Prefect flows and tasks: orchestration only. Each task calls one library function."""
