module kumo.example/go1-event

go 1.18

require github.com/aliyun/fc-runtime-go-sdk v0.3.1
