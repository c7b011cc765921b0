package main

var APIVersion = "v0" // want `APIVersion is the hand-copied literal "v0"`
