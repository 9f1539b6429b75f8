from django.contrib import admin

from propdesk.assistant.models import FaqAsk, FaqEntry, TriageModel, TriageSuggestion


@admin.register(FaqEntry)
class FaqEntryAdmin(admin.ModelAdmin):
    list_display = ["key", "question", "company", "community", "is_active"]
    list_filter = ["company", "community", "is_active"]
    search_fields = ["key", "question", "keywords"]


@admin.register(FaqAsk)
class FaqAskAdmin(admin.ModelAdmin):
    list_display = ["asked_at", "community", "question", "entry_key", "confidence", "helpful"]
    list_filter = ["helpful", "community"]
    readonly_fields = [f.name for f in FaqAsk._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(TriageModel)
class TriageModelAdmin(admin.ModelAdmin):
    list_display = ["created_at", "heldback_accuracy", "heldback_macro_f1", "is_active"]
    exclude = ["artefact"]
    readonly_fields = [f.name for f in TriageModel._meta.fields if f.name != "artefact"]

    def has_add_permission(self, request):
        return False


@admin.register(TriageSuggestion)
class TriageSuggestionAdmin(admin.ModelAdmin):
    list_display = ["request", "suggested_category", "final_category", "suggested_urgency"]
    list_filter = ["community", "source"]
    readonly_fields = [f.name for f in TriageSuggestion._meta.fields]

    def has_add_permission(self, request):
        return False
