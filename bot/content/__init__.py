"""The skill catalogue, quiz bank and challenges: schemas, loaders and search."""
