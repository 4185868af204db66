from picsart_component.cli import main

# Guarded: the sandbox's image worker processes import the main module again.
if __name__ == "__main__":
    main()
