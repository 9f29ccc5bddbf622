module kumo.example/go-hello

go 1.19
