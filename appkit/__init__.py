"""The apps' shared kit: parts every terminal app uses and no app owns."""
