from picsart_component.cli import main

main()
