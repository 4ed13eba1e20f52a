"""FAQ: the store of questions and answers, the Japanese normaliser, the matcher and the importers."""
