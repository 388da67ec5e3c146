"""Local speech-to-text: model resolution, the model-owning engine, chunking, filters."""
