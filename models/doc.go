// Package models is Rounds' domain: the GORM models, the rules as plain
// functions over plain values (rules.go, words.go), and one use case per
// thing a person does — book, cancel, check in, mark the register, import a
// meeting report, give feedback, publish, plan reminders — each reading top
// to bottom: load → decide (a rule) → write → enqueue mail → mark figures
// stale, in one transaction of the store.
//
// Exported use cases take the request's context and the store
// (models/store), the one way to the database; lower-case helpers take the
// *gorm.DB of a transaction or a read. docs/ARCHITECTURE.md says where each
// rule lives.
package models
