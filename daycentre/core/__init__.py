"""Infrastructure every area uses: database, configuration, language, documents, time, security."""
