"""Runnable copies of the MXNet tutorials teachmod is built to run unchanged."""
