package myapi

type Plugin interface{ Run() }
