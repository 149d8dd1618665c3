# Install rules (filled in by the packaging work of issue 5).
