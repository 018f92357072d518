"""Django settings for the portal: base, dev, test and production (safe by default)."""
